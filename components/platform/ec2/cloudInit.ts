import { readFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";

/** The login user of Ubuntu's cloud images. */
export const LOGIN_USER = "ubuntu";
/** Where lab bind mounts live on the host (made by install-docker.sh). */
export const HOST_DATA_DIR = "/var/lib/container-labs";
export const TLS_INSTALLER = "/usr/local/sbin/container-labs-docker-tls";
const DOCKER_INSTALLER = "/usr/local/sbin/container-labs-install-docker";

/** A script or config file shipped beside this module. */
export function hostFile(name: string): string {
  return readFileSync(path.join(__dirname, name), "utf8");
}

/**
 * #cloud-config user data that turns a fresh Ubuntu instance into a Docker
 * host. TLS comes later, over SSH, so no private key is ever in user data
 * (which anyone allowed to describe the instance can read).
 */
export function cloudInit(): string {
  const document = {
    package_update: false,
    write_files: [
      { path: DOCKER_INSTALLER, permissions: "0755", owner: "root:root", content: hostFile("install-docker.sh") },
      { path: TLS_INSTALLER, permissions: "0755", owner: "root:root", content: hostFile("install-docker-tls.sh") },
      {
        path: "/etc/systemd/system/docker.service.d/10-container-labs.conf",
        permissions: "0644",
        owner: "root:root",
        content: hostFile("docker-service-override.conf"),
      },
    ],
    runcmd: [[DOCKER_INSTALLER, LOGIN_USER]],
  };
  return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}
