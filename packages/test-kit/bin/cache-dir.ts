/** Prints the project's cache directory (src/cache.ts), for the shell scripts that keep files there. */
import { cacheDir } from "../src/cache.ts";

console.log(cacheDir());
