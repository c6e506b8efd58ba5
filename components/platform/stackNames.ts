/**
 * What the names of a stack's Docker resources say about the stack, when
 * several stacks use one engine (this machine's, on the local target).
 *
 * Containers and networks keep the course's names on every stack: students
 * type them (`docker stop docker-basics-signals-exec`, `docker logs
 * kleeweb-worker-1`, the network `t3n`), so two stacks cannot run on one
 * engine at once; `npm run up` refuses the second (scripts/labs/otherStacks.ts).
 * Volumes outlive `down` (data is retained or protected), so a name shared by
 * two stacks hands one stack's data to the other: on the local target every
 * stack but `local` prefixes its volumes with its name. `local` keeps the
 * course's names, which the README's commands use and which its users' data
 * already has. A remote target's engine is its stack's own machine.
 */

/** The stack a new user runs, whose names are the course's own. */
export const DEFAULT_STACK = "local";

/**
 * The platform's own volumes, by the course's name: DynamoDB Local's data
 * (dynamo.ts). Each lab declares its own (its module's `volumes`); no course
 * name contains a '.'.
 */
export const PLATFORM_VOLUMES = ["dynamodb-local-data"] as const;
export type PlatformVolume = (typeof PLATFORM_VOLUMES)[number];

/**
 * The Docker name of a course volume on a stack: `<stack>.<course name>` on
 * the local target for every stack but `local`, the course's name otherwise.
 * The '.' keeps names apart: no course name has one, so no stack's volume is
 * ever another stack's (`webstack_postgres_data` is local's; a stack named
 * `webstack` gets `webstack.postgres_data`).
 */
export function stackVolumeName(course: string, stack: string, target: string): string {
  return target === "local" && stack !== DEFAULT_STACK ? `${stack}.${course}` : course;
}

/** The Docker names of every volume a stack may have made: the labs' given (all labs, enabled or not), and the platform's. */
export function stackVolumeNames(labVolumes: readonly string[], stack: string, target: string): string[] {
  return [...labVolumes, ...PLATFORM_VOLUMES].map((course) => stackVolumeName(course, stack, target));
}
