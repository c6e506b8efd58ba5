/**
 * Renders the image's template the way the official image's entrypoint does
 * (envsubst of the listed variables only) and wraps it in a whole nginx.conf
 * like the image's own, so Debian's nginx can run the very same server block on 127.0.0.1.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DockerfileParser } from "dockerfile-ast";

export const TEMPLATE_PATH = resolve(__dirname, "..", "templates", "default.conf.template");
export const DOCKERFILE_PATH = resolve(__dirname, "..", "Dockerfile");

/** The image's ENV defaults, by name, as the Dockerfile sets them. */
export function dockerfileEnv(): Map<string, string> {
  const dockerfile = DockerfileParser.parse(readFileSync(DOCKERFILE_PATH, "utf8"));
  return new Map(dockerfile.getENVs().flatMap((instruction) => instruction.getProperties().map((p) => [p.getName(), p.getValue() ?? ""])));
}

export interface TemplateVariables {
  APP_UPSTREAM: string;
  NGINX_PORT: string;
  STATIC_ROOT: string;
  MEDIA_ROOT: string;
  CLIENT_MAX_BODY_SIZE: string;
  UPSTREAM_KEEPALIVE_TIMEOUT: string;
}

/** The names the template uses, as `${NAME}`. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]))].sort();
}

/** envsubst with a fixed list: `${NAME}` of a listed variable is replaced, everything else (nginx's `$host`) kept. */
export function renderTemplate(template: string, variables: TemplateVariables): string {
  const values: Record<string, string> = { ...variables };
  const missing = templateVariables(template).filter((name) => !(name in values));
  if (missing.length > 0) throw new Error(`the template uses variables the renderer was not given: ${missing.join(", ")}`);
  return template.replace(/\$\{(\w+)\}/g, (_match, name: string) => values[name]);
}

/**
 * A whole nginx.conf around the rendered server block, as the image's
 * /etc/nginx/nginx.conf includes conf.d/*.conf inside `http`. Temp files go to
 * `tempDir`, which the workers (nobody, when the test runs as root) can write.
 */
export function nginxConf(serverBlock: string, tempDir: string): string {
  const temp = (name: string) => join(tempDir, name);
  return `worker_processes 2;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path ${temp("client_body")};
    proxy_temp_path ${temp("proxy")};
    fastcgi_temp_path ${temp("fastcgi")};
    uwsgi_temp_path ${temp("uwsgi")};
    scgi_temp_path ${temp("scgi")};
${serverBlock}
}
`;
}

/** The project's config for 127.0.0.1: the template rendered with `variables`, wrapped. */
export function renderForTest(variables: TemplateVariables, tempDir: string): string {
  return nginxConf(renderTemplate(readFileSync(TEMPLATE_PATH, "utf8"), variables), tempDir);
}
