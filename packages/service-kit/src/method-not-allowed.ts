import FindMyWay, { type HTTPMethod } from "find-my-way";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The methods a client may be told about in Allow. */
const KNOWN_METHODS: readonly HTTPMethod[] = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/** Fastify's own status-bearing error, so each service's error handler answers it in the service's shape. */
class MethodNotAllowed extends Error {
  readonly statusCode = 405;
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(`${method} is not allowed on ${path}; it takes ${allowed.join(", ")}`);
    this.name = "MethodNotAllowed";
  }
}

/**
 * A request whose path a route matches under another method answers 405
 * with Allow listing those methods, as the course's Flask services do, not
 * 404: fastify has no such answer of its own. Every route registered on
 * `app` (plugins and prefixes included) is mirrored into a router of paths
 * alone; a request fastify found no route for is looked up there.
 */
export function answerWrongMethodWith405(app: FastifyInstance): void {
  const paths = FindMyWay({
    ignoreTrailingSlash: app.initialConfig.ignoreTrailingSlash,
    ignoreDuplicateSlashes: app.initialConfig.ignoreDuplicateSlashes,
    caseSensitive: app.initialConfig.caseSensitive,
    defaultRoute: () => undefined,
  });
  app.addHook("onRoute", (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethod[];
    // A plugin's "/" under a prefix is also served at prefix + "/" by default, without an onRoute of its own.
    const urls = route.routePath === "" && route.prefix && (route.prefixTrailingSlash ?? "both") === "both" ? [route.url, `${route.url}/`] : [route.url];
    for (const method of methods) {
      for (const url of urls) if (!paths.hasRoute(method, url)) paths.on(method, url, () => undefined);
    }
  });
  // Root hooks run for the not-found handler too, whichever one a service sets.
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.is404) return;
    const path = request.url.split("?")[0];
    const allowed = KNOWN_METHODS.filter((method) => method !== request.method && paths.find(method, path) !== null);
    if (allowed.length === 0) return;
    reply.header("allow", allowed.join(", "));
    throw new MethodNotAllowed(request.method, path, allowed);
  });
}
