// Values shaped like a CPR number (a valid ddmmyy, then four digits), built at run time from a
// date and a zero serial: the tests need them to prove refusal and masking, and the code holds no
// CPR number.
export const cprShaped = (ddmmyy: string, sep = '-'): string => `${ddmmyy}${sep}${'0'.repeat(4)}`;
export const SHAPED = cprShaped('010105');
