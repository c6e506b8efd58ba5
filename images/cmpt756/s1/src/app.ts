import type { FastifyInstance } from "fastify";
import {
  HttpError,
  createFrontService,
  idRequired,
  issueToken,
  objectRoutes,
  optionalStringFields,
  requireAuth,
  someOf,
  stringFields,
} from "@container-labs/cmpt756-kit";
import type { Logger } from "@container-labs/service-kit";
import type { Settings } from "./settings";

export const PREFIX = "/api/v1/user";

interface UserFields {
  fname: string;
  lname: string;
  email: string;
}

const USER_FIELDS = ["fname", "lname", "email"] as const;

/**
 * The users service. Create, login and logoff are open; reading, updating
 * and deleting a user need a token from login in the Authorization header.
 */
export function buildApp(settings: Settings, logger: Logger): FastifyInstance {
  const { app, datastore, key } = createFrontService(settings, logger, PREFIX);

  app.register(
    async (api) => {
      api.post<{ Body: UserFields }>("/", { schema: { body: stringFields(...USER_FIELDS) } }, (request) =>
        datastore.write("user", { ...request.body }),
      );
      api.register(idRequired("user", ["GET", "PUT", "DELETE"]));

      // The answer is the bare token, as text: what the course's login returned.
      api.put<{ Body: { uid: string } }>("/login", { schema: { body: stringFields("uid") } }, async (request, reply) => {
        const { uid } = request.body;
        const found = await datastore.read("user", uid);
        if (found.Count === 0) throw new HttpError(404, `no user with user_id ${JSON.stringify(uid)}`);
        reply.type("text/plain; charset=utf-8");
        return issueToken(key, uid, settings.tokenTtlSeconds);
      });

      // Tokens are stateless: logoff checks its body and forgets nothing; a token lives until it expires.
      api.put("/logoff", { schema: { body: stringFields("jwt") } }, async () => ({}));

      api.register(async (signedIn) => {
        signedIn.addHook("onRequest", requireAuth(key));
        signedIn.register(objectRoutes(datastore, "user"));
        // Any of the three fields, as the exercise's API table shows ({ Email, Fname }).
        signedIn.put<{ Params: { user_id: string }; Body: Partial<UserFields> }>(
          "/:user_id",
          { schema: { body: optionalStringFields(...USER_FIELDS) } },
          (request) => datastore.update("user", request.params.user_id, someOf(request.body, USER_FIELDS)),
        );
      });
    },
    { prefix: PREFIX },
  );
  return app;
}
