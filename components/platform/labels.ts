/** Labels every container, network and volume carries, so `docker ps --filter label=...` finds a lab's parts. */
export const LABEL_PREFIX = "container-labs";

export interface Owner {
  lab: string;
  service?: string;
}

export function ownerLabels(owner: Owner): Array<{ label: string; value: string }> {
  const labels = [
    { label: `${LABEL_PREFIX}.managed-by`, value: "pulumi" },
    { label: `${LABEL_PREFIX}.lab`, value: owner.lab },
  ];
  if (owner.service) labels.push({ label: `${LABEL_PREFIX}.service`, value: owner.service });
  return labels;
}
