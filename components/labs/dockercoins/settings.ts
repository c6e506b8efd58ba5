import type { ConfigReader } from "../../config/reader";

export interface DockercoinsSettings {
  workers: number;
  rngReplicas: number;
  hasherReplicas: number;
  lessonDelayMs: number;
}

export function readDockercoinsSettings(reader: ConfigReader): DockercoinsSettings {
  return {
    workers: reader.integer("dockercoinsWorkers", 0, 50),
    rngReplicas: reader.integer("dockercoinsRngReplicas", 1, 20),
    hasherReplicas: reader.integer("dockercoinsHasherReplicas", 1, 20),
    lessonDelayMs: reader.integer("dockercoinsLessonDelayMs", 0, 10000),
  };
}
