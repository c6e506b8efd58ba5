/**
 * The lab's three tiers as processes on 127.0.0.1, for the nginx tests and the
 * benchmark: PostgreSQL, the app (primary and workers) and Debian's nginx
 * running the image's template, sharing the static and media dirs as the
 * containers share the named volumes.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, startNginx, startPostgres, type Dependency, type Postgres, type ServiceProcess } from "@container-labs/test-kit";
import { makeVolumes, startApp, type Volumes } from "../../test/webstack";
import { dockerfileEnv, renderForTest } from "./render";

export interface NginxOptions {
  /** nginx's client_max_body_size; 1m unless given. */
  clientMaxBodySize?: string;
  /** nginx's keep-alive timeout for idle connections to the app; the image's default unless given. */
  upstreamKeepaliveTimeout?: string;
}

export interface StackOptions extends NginxOptions {
  workers: number;
  maxUploadBytes?: number;
  /** The app's LOG_LEVEL; "debug" logs every request (and costs throughput). */
  logLevel?: string;
  /** More of the app's environment (e.g. MEDIA_QUOTA_BYTES). */
  env?: Record<string, string>;
}

export interface Stack {
  postgres: Postgres;
  volumes: Volumes;
  app: ServiceProcess;
  nginx: Dependency;
  /** A URL on nginx, the lab's front door. */
  url(path: string): string;
  stop(): Promise<void>;
}

/** nginx with the project's config for 127.0.0.1 in front of `upstream`, serving `volumes`. */
export async function startProjectNginx(upstream: string, volumes: Volumes, options: NginxOptions = {}): Promise<Dependency> {
  const tempDir = join(volumes.root, "nginx-temp");
  mkdirSync(tempDir, { recursive: true });
  chmodSync(tempDir, 0o777);
  const port = await freePort();
  const config = renderForTest(
    {
      APP_UPSTREAM: upstream,
      NGINX_PORT: `127.0.0.1:${port}`,
      STATIC_ROOT: `${volumes.staticDir}/`,
      MEDIA_ROOT: `${volumes.mediaDir}/`,
      CLIENT_MAX_BODY_SIZE: options.clientMaxBodySize ?? "1m",
      UPSTREAM_KEEPALIVE_TIMEOUT: options.upstreamKeepaliveTimeout ?? dockerfileEnv().get("UPSTREAM_KEEPALIVE_TIMEOUT")!,
    },
    tempDir,
  );
  return startNginx(config, port);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const volumes = makeVolumes();
  const postgres = await startPostgres();
  let app: ServiceProcess | undefined;
  try {
    postgres.createDatabase("webstack");
    app = await startApp({
      postgres,
      database: "webstack",
      volumes,
      env: {
        WEB_CONCURRENCY: String(options.workers),
        ...(options.maxUploadBytes ? { MAX_UPLOAD_BYTES: String(options.maxUploadBytes) } : {}),
        LOG_LEVEL: options.logLevel ?? "info",
        ...options.env,
      },
    });
    const nginx = await startProjectNginx(`127.0.0.1:${app.port}`, volumes, options);
    const started = app;
    return {
      postgres,
      volumes,
      app: started,
      nginx,
      url: (path) => `${nginx.url}${path}`,
      stop: async () => {
        await nginx.stop();
        await started.stop();
        await postgres?.stop();
        volumes.remove();
      },
    };
  } catch (err) {
    await app?.stop();
    await postgres?.stop();
    volumes.remove();
    throw err;
  }
}
