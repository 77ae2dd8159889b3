// Where the cluster's binaries, schema and sample config are: scripts/ensure-cluster.sh builds them
// once from the Go module proxy into ~/.cache/indsatsflow and prints the folder.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ClusterParts {
  dir: string;
  server: string;
  sqlTool: string;
  uiServer: string;
  schemaDir: string;
  configTemplate: string;
}

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'ensure-cluster.sh');

export function ensureClusterParts(onProgress?: (line: string) => void): Promise<ClusterParts> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      'bash',
      [SCRIPT],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`scripts/ensure-cluster.sh failed: ${err.message}\n${stderr}`));
        const dir = stdout.trim().split('\n').pop() ?? '';
        const parts: ClusterParts = {
          dir,
          server: join(dir, 'bin', 'temporal-server'),
          sqlTool: join(dir, 'bin', 'temporal-sql-tool'),
          uiServer: join(dir, 'bin', 'temporal-ui-server'),
          schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
          configTemplate: join(dir, 'config', 'development-postgres12.yaml'),
        };
        const absent = Object.values(parts).filter((p) => !existsSync(p));
        if (absent.length) return reject(new Error(`scripts/ensure-cluster.sh: missing ${absent.join(', ')}`));
        resolvePromise(parts);
      },
    );
    // Progress (a first build takes minutes) is passed on as it comes.
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) onProgress?.(line);
    });
  });
}
