import { hostname } from "node:os";
import {
  ConfigError, LOG_LEVELS, envChoice, envHost, envInt, envPort, envString, envUrl, type LogLevel,
} from "@container-labs/service-kit";

/** KLEE 3.0 (LLVM 13, clang on PATH), pinned by digest. */
export const DEFAULT_JOB_IMAGE = "klee/klee:3.0@sha256:05a6be25f3d58cfbc3a5592b965ea06e00405a475ad3f418f3f900f09d31d9bd";

export const RUNNERS = ["docker", "local"] as const;

export interface DockerSettings {
  socketPath: string;
  image: string;
  cpuShares: number;
  memoryBytes: number;
}

export interface WorkerSettings {
  /** Address of the health and metrics routes (HOST); all interfaces by default. */
  host: string;
  port: number;
  logLevel: LogLevel;
  redisUrl: string;
  databaseUrl: string;
  workerId: string;
  runner: { kind: "docker"; docker: DockerSettings } | { kind: "local"; command: string };
  limits: { timeoutSeconds: number; maxOutputBytes: number };
  maxAttempts: number;
  heartbeatTtlSeconds: number;
  shutdownGraceSeconds: number;
}

/** The id names redis keys and is recorded on jobs: keep it to a safe alphabet. */
function workerId(env: NodeJS.ProcessEnv): string {
  const id = envString("WORKER_ID", hostname(), env);
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(id)) {
    throw new ConfigError("WORKER_ID", id, "1 to 100 letters, digits, '.', '_' or '-'");
  }
  return id;
}

function runner(env: NodeJS.ProcessEnv): WorkerSettings["runner"] {
  if (envChoice("RUNNER", RUNNERS, "docker", env) === "local") {
    return { kind: "local", command: envString("JOB_COMMAND", undefined, env) };
  }
  return {
    kind: "docker",
    docker: {
      socketPath: envString("DOCKER_SOCKET", "/var/run/docker.sock", env),
      image: envString("JOB_IMAGE", DEFAULT_JOB_IMAGE, env),
      // The Engine API's own bounds: shares from 2, memory from 6 MiB.
      cpuShares: envInt("JOB_CPU_SHARES", 512, { min: 2, max: 262144 }, env),
      memoryBytes: envInt("JOB_MEMORY_BYTES", 512 * 1024 * 1024, { min: 6 * 1024 * 1024, max: 2 ** 40 }, env),
    },
  };
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    host: envHost("HOST", "0.0.0.0", env),
    port: envPort(8001, "PORT", env),
    logLevel: envChoice("LOG_LEVEL", LOG_LEVELS, "info", env),
    redisUrl: envUrl("REDIS_URL", "redis://redis:6379", env),
    databaseUrl: envUrl("DATABASE_URL", undefined, env),
    workerId: workerId(env),
    runner: runner(env),
    limits: {
      timeoutSeconds: envInt("JOB_TIMEOUT_SECONDS", 60, { min: 1, max: 86400 }, env),
      maxOutputBytes: envInt("OUTPUT_LIMIT_BYTES", 65536, { min: 1024, max: 16 * 1024 * 1024 }, env),
    },
    maxAttempts: envInt("MAX_ATTEMPTS", 3, { min: 1, max: 100 }, env),
    heartbeatTtlSeconds: envInt("HEARTBEAT_TTL_SECONDS", 15, { min: 1, max: 3600 }, env),
    shutdownGraceSeconds: envInt("SHUTDOWN_GRACE_SECONDS", 7, { min: 0, max: 3600 }, env),
  };
}
