/** The Pulumi type tokens the rules look at, as the engine reports them. */
export const TYPES = {
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  securityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  instance: "aws:ec2/instance:Instance",
  ebsVolume: "aws:ebs/volume:Volume",
  dynamoTable: "aws:dynamodb/table:Table",
  container: "docker:index/container:Container",
  /** A swarm service: the container rules judge its task (lib/swarmService.ts). */
  service: "docker:index/service:Service",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  volume: "docker:index/volume:Volume",
} as const;
