/**
 * Prints the stand-ins' recipes for scripts/standins/build.sh (src/standins.ts),
 * one a line in build order, as tab-separated fields:
 *
 *   standins.ts NODE_VERSION
 *   <name>	<role: base|standin|fixture>	<image it builds on>	<what it replaces>
 */
import { standinRecipes } from "../src/standins.ts";

const [nodeVersion] = process.argv.slice(2);
if (!nodeVersion) {
  console.error("usage: standins.ts NODE_VERSION");
  process.exitCode = 2;
} else {
  for (const recipe of standinRecipes(nodeVersion)) console.log([recipe.name, recipe.role, recipe.buildsOn, recipe.replaces].join("\t"));
}
