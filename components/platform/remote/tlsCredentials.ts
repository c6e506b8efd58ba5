import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

const DAY_HOURS = 24;
/** Server and client certificates: a year, renewed by any `pulumi up` in their last 30 days (or after they expired). */
const CERT_VALIDITY = { validityPeriodHours: 365 * DAY_HOURS, earlyRenewalHours: 30 * DAY_HOURS };
/** The CA: five years, renewed in its last year (which re-issues both certificates). */
const CA_VALIDITY = { validityPeriodHours: 5 * 365 * DAY_HOURS, earlyRenewalHours: 365 * DAY_HOURS };

export interface Certificate {
  keyPem: pulumi.Output<string>;
  certPem: pulumi.Output<string>;
}

function issue(
  name: string,
  ca: Certificate,
  args: { commonName: string; uses: string[]; ipAddresses?: pulumi.Input<string>[]; dnsNames?: pulumi.Input<string>[] },
  parent: pulumi.Resource,
): Certificate {
  const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
  const request = new tls.CertRequest(
    `${name}-csr`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: args.commonName, organization: "container-labs" },
      ipAddresses: args.ipAddresses,
      dnsNames: args.dnsNames,
    },
    { parent },
  );
  const cert = new tls.LocallySignedCert(
    `${name}-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: ca.keyPem,
      caCertPem: ca.certPem,
      ...CERT_VALIDITY,
      allowedUses: ["digital_signature", "key_encipherment", ...args.uses],
    },
    { parent },
  );
  return { keyPem: key.privateKeyPem, certPem: cert.certPem };
}

/** What a server certificate is issued for, besides 127.0.0.1 and localhost (for commands run on the host itself). */
export interface CertificateNames {
  ipAddresses: pulumi.Input<string>[];
  dnsNames: pulumi.Input<string>[];
}

/** The server certificate of a host's engine (`<name>-server`), issued by the stack's Docker CA: each machine of a swarm has its own. */
export function dockerServerCertificate(name: string, ca: Certificate, names: CertificateNames, parent: pulumi.Resource): Certificate {
  return issue(`${name}-server`, ca, {
    commonName: "docker-host",
    uses: ["server_auth"],
    ipAddresses: [...names.ipAddresses, "127.0.0.1"],
    dnsNames: [...names.dnsNames, "localhost"],
  }, parent);
}

export interface DockerTlsCredentials {
  ca: Certificate;
  server: Certificate;
  client: Certificate;
}

/**
 * A private CA, a server certificate for the host's address and a client
 * certificate for the Docker provider: mutual TLS on 2376, all generated,
 * all private keys kept as secrets in the stack's state. On EC2 the names
 * are the Elastic IP's, which stay when the instance is stopped, started or
 * replaced, so the certificate stays valid for it.
 */
export function dockerTlsCredentials(
  name: string,
  names: CertificateNames,
  parent: pulumi.Resource,
): DockerTlsCredentials {
  const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
  const caCert = new tls.SelfSignedCert(
    `${name}-ca-cert`,
    {
      privateKeyPem: caKey.privateKeyPem,
      isCaCertificate: true,
      subject: { commonName: `${name} Docker CA`, organization: "container-labs" },
      ...CA_VALIDITY,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    },
    { parent },
  );
  const ca = { keyPem: caKey.privateKeyPem, certPem: caCert.certPem };
  return {
    ca,
    server: dockerServerCertificate(name, ca, names, parent),
    client: issue(`${name}-client`, ca, { commonName: "pulumi", uses: ["client_auth"] }, parent),
  };
}
