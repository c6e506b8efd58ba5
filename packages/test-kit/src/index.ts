export { cacheDir } from "./cache";
export { freePort, isAlive, sleep, waitFor, httpOk } from "./wait";
export { forwardTcp, type TcpForwarder } from "./forward";
export { requestAsWritten, type RawAnswer, type RawRequest } from "./http";
export { run, startService, RunningProcess, ServiceProcess, type Exit, type RunOptions, type ServiceOptions } from "./process";
export { startRedis, startPostgres, startNginx, type Dependency, type Postgres } from "./deps";
export { replayDockerBuild, replayNodeImage, dockerignore, dockerignoreMatcher, globToRegExp, type DockerBuildOptions, type NodeImageOptions, type ReplayedImage } from "./image";
export {
  PREPARE_ENGINE_COMMAND,
  EngineMissing,
  buildImage,
  startContainer,
  waitHealthy,
  type Container,
  type ContainerOptions,
  requireFixture,
  docker,
  inspectImage,
  requireEngine,
  requireStandins,
  type BuildOptions,
  type Engine,
  type ImageConfig,
} from "./engine";
export { engineScope, inEngineScope, type EngineScope } from "./scope";
export { FIXTURES, STANDINS, type Fixture, type Standin } from "./standins";
export { ENGINE_CERTS_DIR, REGISTRY_PORT, registryRequest, startRegistry, type Registry, type RegistryAccount, type RegistryAnswer, type RegistryOptions } from "./registry";
export { MACHINE_DISK, attachLoopDisk, createFixedNetwork, detachLoopDisks, grantableCapabilities, removeMachine, startMachine, type Machine, type MachineOptions } from "./machine";
export { SWARM_NODE_LABEL, SWARM_PORT, startSwarm, type Swarm, type SwarmNode, type SwarmOptions } from "./swarm";
export { CI_STACK, ONE_LINE_EDIT, REPO_ROOT, ciDataDir, freshUp, labs, labsOk, labsOutput, localCaBundle, prepareCiStack, pulumiCi, removeLeftovers, toolchainEnv, up, withOneLineEdit, type CiStack, type CommandResult, type LabsOptions } from "./ciStack";
export { METADATA_ADDRESS, METADATA_CLIENT_IMAGE, METADATA_CLIENT_TIMEOUT_SECONDS, makeMetadataClientImage, metadataFromContainer, metadataFromHost, startMetadataStandin, type MetadataAnswer } from "./metadata";
export { NOT_JUDGED, POLICY_PACK_DIR, policyPreview, policyViolations, type PolicyPreview, type PolicyViolation } from "./policy";
