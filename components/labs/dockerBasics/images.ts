import { lessonDockerfile } from "../../platform/image";
import type { LabImages } from "../lab";

/** The lab's images and how each is built: the lesson's own Dockerfiles. */
export const IMAGES = {
  "docker-basics/signals-exec": lessonDockerfile("images/docker-basics/signals", "Dockerfile.exec"),
  "docker-basics/signals-shell": lessonDockerfile("images/docker-basics/signals", "Dockerfile.shell"),
  "docker-basics/volume-writer": lessonDockerfile("images/docker-basics/volume-writer"),
  "docker-basics/tcp-server": lessonDockerfile("images/docker-basics/tcp-server"),
} satisfies LabImages;
