/**
 * The npm commands a user types for a stack, as the README and the outputs
 * print them: the `local` stack is the default and needs no flag, any other
 * stack is named (a line without it would act on `local`).
 */
const stackFlag = (stack: string): string[] => (stack === "local" ? [] : ["--stack", stack]);

/** `npm run <verb>` for a stack. */
export function npmRun(verb: "up" | "down" | "labs" | "notification", stack: string, ...flags: string[]): string {
  const args = [...stackFlag(stack), ...flags];
  return `npm run ${verb}${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`;
}

/** `npm run pulumi -- <args>` for a stack (the CLI takes --stack after the command, not before it). */
export function npmPulumi(stack: string, ...args: string[]): string {
  return `npm run pulumi -- ${[...args, ...stackFlag(stack)].join(" ")}`;
}

/** The same npm command without npm's own lines ("> container-labs@..."): its output is the command's alone, for `$(...)` or a pipe. */
export function silently(npmCommand: string): string {
  return npmCommand.replace(/^npm run /, "npm run -s ");
}
