/** Amime's own namespace on Kubernetes (the downward API's POD_NAMESPACE), where its Secrets and Lease live. */
export const podNamespace = (): string => process.env.POD_NAMESPACE ?? 'amime-system';
