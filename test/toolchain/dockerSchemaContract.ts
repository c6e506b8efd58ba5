/**
 * The contract of the Docker provider plugin. Programs are written against the
 * @pulumi/docker npm SDK; the plugin scripts/pulumi-toolchain.sh builds is our
 * own bridge of kreuzwerker's Terraform provider, and it must serve every
 * token, property name, type and requiredness that SDK declares, or a program
 * breaks at run time (an unknown token, an input silently dropped).
 *
 * Both sides are read into one shape: the SDK from its declaration files
 * (`*.d.ts`, plus each resource's token from its `.js`), the plugin from the
 * Pulumi schema it serves (`pulumi package get-schema`). Run as a script by
 * test/toolchain/smoke.sh:
 *
 *   ts-node test/toolchain/dockerSchemaContract.ts <schema.json> [<sdk dir>]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/**
 * One property. `type` is canonical: "string", "number", "boolean", "any",
 * "T[]", "map<T>", or an object type's name ("ContainerPort", "config.RegistryAuth").
 * `required`: an input that must be given, an output that is always set.
 */
export interface Property {
  type: string;
  required: boolean;
}

export type Shape = Map<string, Property>;

export interface Contract {
  /** By token (docker:index/container:Container). */
  resources: Map<string, { inputs: Shape; outputs: Shape }>;
  /** By token (docker:index/getNetwork:getNetwork). */
  functions: Map<string, { inputs: Shape; outputs: Shape }>;
  /** Object types by name, as inputs and as outputs. */
  inputTypes: Map<string, Shape>;
  outputTypes: Map<string, Shape>;
  /** The provider resource's inputs. */
  provider: Shape;
  /** Stack configuration (docker:host ...). */
  config: Shape;
}

export interface Findings {
  /** What the SDK declares and the plugin lacks or serves differently: programs break. */
  errors: string[];
  /** What the plugin serves beyond the SDK (newer upstream fields): unreachable from the SDK, harmless. */
  extras: string[];
}

// --- the SDK, from its declaration files --------------------------------------

const WRAPPERS = new Set(["pulumi.Input", "pulumi.Output", "Promise", "Array"]);

/** The canonical type of a declaration's type, and whether `undefined` is part of it. */
function declaredType(node: ts.TypeNode): { type: string; optional: boolean } {
  if (ts.isParenthesizedTypeNode(node)) return declaredType(node.type);
  if (ts.isUnionTypeNode(node)) {
    const defined = node.types.filter((member) => member.kind !== ts.SyntaxKind.UndefinedKeyword);
    const types = defined.map((member) => declaredType(member).type);
    return { type: [...new Set(types)].sort().join("|"), optional: defined.length < node.types.length };
  }
  if (ts.isArrayTypeNode(node)) return { type: `${declaredType(node.elementType).type}[]`, optional: false };
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (index) return { type: `map<${declaredType(index.type).type}>`, optional: false };
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (WRAPPERS.has(name) && node.typeArguments?.length === 1) {
      const inner = declaredType(node.typeArguments[0]);
      return name === "Array" ? { type: `${inner.type}[]`, optional: inner.optional } : inner;
    }
    // inputs.ContainerPort, outputs.config.RegistryAuth, pulumi.asset.Archive
    return { type: name.replace(/^(inputs|outputs|pulumi\.asset)\./, ""), optional: false };
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: "string", optional: false };
    case ts.SyntaxKind.NumberKeyword:
      return { type: "number", optional: false };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: "boolean", optional: false };
    case ts.SyntaxKind.AnyKeyword:
      return { type: "any", optional: false };
    default:
      return { type: node.getText(), optional: false };
  }
}

type Member = ts.PropertySignature | ts.PropertyDeclaration | ts.VariableDeclaration;

function memberProperty(member: Member, requiredUnlessMarked: boolean): [string, Property] {
  if (!member.type) throw new Error(`${member.name.getText()} has no declared type`);
  const { type, optional } = declaredType(member.type);
  const marked = "questionToken" in member && member.questionToken !== undefined;
  return [member.name.getText(), { type, required: requiredUnlessMarked && !marked && !optional }];
}

function interfaceShape(declaration: ts.InterfaceDeclaration): Shape {
  return new Map(declaration.members.filter(ts.isPropertySignature).map((member) => memberProperty(member, true)));
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

/** Top-level interfaces of a file, and those of its namespaces (`config.RegistryAuth`). */
function interfacesOf(source: ts.SourceFile): Map<string, ts.InterfaceDeclaration> {
  const found = new Map<string, ts.InterfaceDeclaration>();
  const visit = (statements: ts.NodeArray<ts.Statement>, prefix: string) => {
    for (const statement of statements) {
      if (ts.isInterfaceDeclaration(statement)) found.set(prefix + statement.name.text, statement);
      if (ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body)) {
        visit(statement.body.statements, `${prefix}${statement.name.getText()}.`);
      }
    }
  };
  visit(source.statements, "");
  return found;
}

function typeNameOf(node: ts.TypeNode | undefined): string | undefined {
  if (node && ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    return WRAPPERS.has(name) && node.typeArguments ? typeNameOf(node.typeArguments[0]) : name;
  }
  return undefined;
}

const EMPTY_SHAPE: Shape = new Map();

/** A contract with nothing in it but `parts`. */
export function contractOf(parts: Partial<Contract> = {}): Contract {
  return { resources: new Map(), functions: new Map(), inputTypes: new Map(), outputTypes: new Map(), provider: new Map(), config: new Map(), ...parts };
}

/** Reads the SDK in `sdkDir` (node_modules/@pulumi/docker). */
export function readSdkContract(sdkDir: string): Contract {
  const contract = contractOf();
  for (const [kind, target] of [["input", contract.inputTypes], ["output", contract.outputTypes]] as const) {
    for (const [name, declaration] of interfacesOf(parse(path.join(sdkDir, "types", `${kind}.d.ts`)))) {
      target.set(name, interfaceShape(declaration));
    }
  }
  const variables = parse(path.join(sdkDir, "config", "vars.d.ts")).statements.filter(ts.isVariableStatement);
  for (const declaration of variables.flatMap((statement) => [...statement.declarationList.declarations])) {
    contract.config.set(...memberProperty(declaration, false));
  }

  for (const file of fs.readdirSync(sdkDir).filter((name) => name.endsWith(".d.ts"))) {
    const source = parse(path.join(sdkDir, file));
    const interfaces = interfacesOf(source);
    const shapeOf = (name: string | undefined) => {
      const declaration = name === undefined ? undefined : interfaces.get(name);
      return declaration ? interfaceShape(declaration) : EMPTY_SHAPE;
    };
    const script = fs.readFileSync(path.join(sdkDir, file.replace(/\.d\.ts$/, ".js")), "utf8");
    for (const statement of source.statements) {
      if (ts.isClassDeclaration(statement) && statement.name) {
        const constructor = statement.members.find(ts.isConstructorDeclaration);
        const argsType = constructor?.parameters.find((parameter) => parameter.name.getText() === "args")?.type;
        const inputs = shapeOf(typeNameOf(argsType));
        if (statement.name.text === "Provider") {
          contract.provider = inputs;
          // Its methods (terraformConfig) are functions called with the provider itself.
          for (const method of statement.members.filter(ts.isMethodDeclaration)) {
            const token = new RegExp(`call\\("([^"]+/${method.name.getText()})"`).exec(script)?.[1];
            if (token) contract.functions.set(token, { inputs: EMPTY_SHAPE, outputs: shapeOf(typeNameOf(method.type)) });
          }
          continue;
        }
        const token = /__pulumiType = '([^']+)'/.exec(script)?.[1];
        if (!token) continue;
        const outputs: Shape = new Map(
          statement.members
            .filter(ts.isPropertyDeclaration)
            .filter((member) => !member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword))
            .map((member) => memberProperty(member, true)),
        );
        contract.resources.set(token, { inputs, outputs });
      }
      if (ts.isFunctionDeclaration(statement) && statement.name && !statement.name.text.endsWith("Output")) {
        const token = new RegExp(`invoke\\("([^"]+:${statement.name.text})"`).exec(script)?.[1];
        if (!token) continue;
        contract.functions.set(token, {
          inputs: shapeOf(typeNameOf(statement.parameters.find((parameter) => parameter.name.getText() === "args")?.type)),
          outputs: shapeOf(typeNameOf(statement.type)),
        });
      }
    }
  }
  return contract;
}

// --- the plugin, from the schema it serves ------------------------------------

interface SchemaType {
  type?: string;
  $ref?: string;
  items?: SchemaType;
  additionalProperties?: SchemaType;
}

interface SchemaObject {
  properties?: Record<string, SchemaType>;
  required?: string[];
  language?: { nodejs?: { requiredOutputs?: string[] } };
}

interface SchemaResource extends SchemaObject {
  inputProperties?: Record<string, SchemaType>;
  requiredInputs?: string[];
}

export interface PulumiSchema {
  config?: { variables?: Record<string, SchemaType> };
  provider?: SchemaResource;
  resources?: Record<string, SchemaResource>;
  functions?: Record<string, { inputs?: SchemaObject; outputs?: SchemaObject }>;
  types?: Record<string, SchemaObject & { type?: string }>;
}

const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** docker:index/containerPort:ContainerPort → ContainerPort; docker:config/registryAuth:registryAuth → config.RegistryAuth. */
function typeTokenName(token: string): string {
  const [, module, name] = /^[^:]+:([^/:]+)(?:\/[^:]*)?:(.+)$/.exec(token) ?? [];
  if (!name) throw new Error(`'${token}' is not a type token`);
  return module === "index" ? capitalized(name) : `${module}.${capitalized(name)}`;
}

function schemaType(spec: SchemaType): string {
  if (spec.$ref) {
    if (spec.$ref.startsWith("pulumi.json#/")) return spec.$ref === "pulumi.json#/Any" ? "any" : spec.$ref.slice("pulumi.json#/".length);
    if (spec.$ref.startsWith("#/types/")) return typeTokenName(decodeURIComponent(spec.$ref.slice("#/types/".length)));
    return spec.$ref; // #/provider, #/resources/...: never an SDK declaration's type
  }
  switch (spec.type) {
    case "integer":
    case "number":
      return "number";
    case "array":
      return `${schemaType(spec.items ?? {})}[]`;
    case "object":
      return `map<${schemaType(spec.additionalProperties ?? { type: "string" })}>`;
    default:
      return spec.type ?? "any";
  }
}

function schemaShape(properties: Record<string, SchemaType> | undefined, required: string[] | undefined): Shape {
  const requiredNames = new Set(required ?? []);
  return new Map(
    Object.entries(properties ?? {}).map(([name, spec]) => [name, { type: schemaType(spec), required: requiredNames.has(name) }]),
  );
}

/** Reads a Pulumi package schema (the JSON `pulumi package get-schema` prints). */
export function readSchemaContract(schema: PulumiSchema): Contract {
  const contract: Contract = {
    resources: new Map(),
    functions: new Map(),
    inputTypes: new Map(),
    outputTypes: new Map(),
    provider: schemaShape(schema.provider?.inputProperties, schema.provider?.requiredInputs),
    config: schemaShape(schema.config?.variables, []),
  };
  for (const [token, resource] of Object.entries(schema.resources ?? {})) {
    contract.resources.set(token, {
      inputs: schemaShape(resource.inputProperties, resource.requiredInputs),
      outputs: schemaShape(resource.properties, resource.required),
    });
  }
  for (const [token, fn] of Object.entries(schema.functions ?? {})) {
    // A provider method's `__self__` is the provider it is called on, not an argument.
    const { __self__: _self, ...inputs } = fn.inputs?.properties ?? {};
    contract.functions.set(token, {
      inputs: schemaShape(inputs, fn.inputs?.required?.filter((name) => name !== "__self__")),
      outputs: schemaShape(fn.outputs?.properties, fn.outputs?.required),
    });
  }
  for (const [token, type] of Object.entries(schema.types ?? {})) {
    if (type.type !== "object") continue;
    const name = typeTokenName(token);
    contract.inputTypes.set(name, schemaShape(type.properties, type.required));
    // The Node.js SDK's output types mark as always set what the schema lists for Node.js.
    contract.outputTypes.set(name, schemaShape(type.properties, type.language?.nodejs?.requiredOutputs ?? type.required));
  }
  return contract;
}

// --- the comparison -----------------------------------------------------------

/** Names of the object types a property type mentions (ContainerPort[] → ContainerPort). */
function referencedTypes(type: string): string[] {
  return type.split(/[<>[\]|]+/).filter((part) => /^[A-Z]|^config\./.test(part));
}

/**
 * What the SDK declares that the plugin lacks or serves differently (errors),
 * and what the plugin serves beyond the SDK (extras). `outOfScope` lists SDK
 * tokens the plugin is not meant to serve; object types only they use are
 * skipped too.
 */
export function compareContracts(sdk: Contract, plugin: Contract, outOfScope: string[] = []): Findings {
  const findings: Findings = { errors: [], extras: [] };
  const inputTypesUsed = new Set<string>();
  const outputTypesUsed = new Set<string>();

  const compareShapes = (where: string, declared: Shape, served: Shape, used: Set<string>) => {
    for (const [name, property] of declared) {
      referencedTypes(property.type).forEach((type) => used.add(type));
      const counterpart = served.get(name);
      if (!counterpart) {
        findings.errors.push(`${where}: '${name}' is missing`);
      } else if (counterpart.type !== property.type) {
        findings.errors.push(`${where}: '${name}' is ${counterpart.type}, the SDK declares ${property.type}`);
      } else if (counterpart.required !== property.required) {
        const state = (required: boolean) => (required ? "required" : "optional");
        findings.errors.push(`${where}: '${name}' is ${state(counterpart.required)}, the SDK declares it ${state(property.required)}`);
      }
    }
    for (const name of served.keys()) {
      if (!declared.has(name)) findings.extras.push(`${where}: '${name}'`);
    }
  };

  const compareEntities = (kind: string, declared: Contract["resources"], served: Contract["resources"]) => {
    for (const [token, entity] of declared) {
      if (outOfScope.includes(token)) continue;
      const counterpart = served.get(token);
      if (!counterpart) {
        findings.errors.push(`${kind} ${token} is missing`);
        continue;
      }
      compareShapes(`${token} inputs`, entity.inputs, counterpart.inputs, inputTypesUsed);
      compareShapes(`${token} outputs`, entity.outputs, counterpart.outputs, outputTypesUsed);
    }
    for (const token of served.keys()) {
      if (!declared.has(token)) findings.extras.push(`${kind} ${token}`);
    }
  };

  compareEntities("resource", sdk.resources, plugin.resources);
  compareEntities("function", sdk.functions, plugin.functions);
  compareShapes("provider inputs", sdk.provider, plugin.provider, inputTypesUsed);
  compareShapes("config", sdk.config, plugin.config, outputTypesUsed);

  // Object types reached from what was compared, and from those types in turn.
  const compareTypes = (kind: string, declared: Map<string, Shape>, served: Map<string, Shape>, used: Set<string>) => {
    const done = new Set<string>();
    for (let pending = [...used]; pending.length > 0; pending = [...used].filter((name) => !done.has(name))) {
      for (const name of pending) {
        done.add(name);
        const shape = declared.get(name);
        if (!shape) continue;
        const counterpart = served.get(name);
        if (!counterpart) findings.errors.push(`${kind} type ${name} is missing`);
        else compareShapes(`${kind} type ${name}`, shape, counterpart, used);
      }
    }
  };
  compareTypes("input", sdk.inputTypes, plugin.inputTypes, inputTypesUsed);
  compareTypes("output", sdk.outputTypes, plugin.outputTypes, outputTypesUsed);
  return findings;
}

/** docker.Image is pulumi-docker's own native resource, not part of the Terraform provider. */
export const OUT_OF_SCOPE = ["docker:index/image:Image"];

if (require.main === module) {
  const [schemaFile, sdkDir = path.join(__dirname, "../../node_modules/@pulumi/docker")] = process.argv.slice(2);
  if (!schemaFile) {
    console.error("usage: dockerSchemaContract.ts <schema.json> [<@pulumi/docker dir>]");
    process.exit(2);
  }
  const findings = compareContracts(
    readSdkContract(sdkDir),
    readSchemaContract(JSON.parse(fs.readFileSync(schemaFile, "utf8")) as PulumiSchema),
    OUT_OF_SCOPE,
  );
  for (const extra of findings.extras) console.log(`contract: served beyond the SDK: ${extra}`);
  for (const error of findings.errors) console.error(`contract: BROKEN: ${error}`);
  console.log(`contract: ${findings.errors.length} broken, ${findings.extras.length} served beyond the SDK`);
  process.exit(findings.errors.length > 0 ? 1 : 0);
}
