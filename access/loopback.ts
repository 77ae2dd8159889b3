// Access control may be off only where nobody else can reach the API: on a loopback address.
// `npm start` and `npm run serve -- api` both refuse anything else without INDSATSFLOW_AUTH=required.
export function isLoopback(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i.test(host);
}

export function refuseOpenBind(host: string, authRequired: boolean): void {
  if (!authRequired && !isLoopback(host))
    throw new Error(
      `refusing to listen on ${host} with access control off: set INDSATSFLOW_AUTH=required (and create keys with npm run access), or listen on 127.0.0.1`,
    );
}
