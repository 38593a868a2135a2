// Small manifest builders for the end-to-end tests: valid documents to surround a bad one
// with, and generated batches for the crash test.

export function cluster(name: string, provider = 'aws', region = 'eu-west-1', extra = ''): string {
  return `apiVersion: truststram.io/v1alpha1
kind: Cluster
metadata:
  name: ${name}
  labels:
    env: e2e
spec:
  provider: ${provider}
  region: ${region}
  capacity:
    cpu: "16"
    memory: 64Gi
    pods: 110
${extra}`;
}

export function workload(name: string, namespace = 'e2e', replicas: string | number = 2, extra = ''): string {
  return `apiVersion: truststram.io/v1alpha1
kind: Workload
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    team: e2e
spec:
  image: registry.example/echo:1.0
  replicas: ${replicas}
  resources:
    cpu: 250m
    memory: 256Mi
${extra}`;
}

/** Joins documents into one multi-document YAML stream. */
export function docs(...d: string[]): string {
  return d.map((x) => x.trimEnd()).join('\n---\n') + '\n';
}
