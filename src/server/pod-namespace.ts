/** Amime's own namespace on Kubernetes (the downward API's POD_NAMESPACE): its Secrets, Lease and webhook Service live there. */
export const podNamespace = (): string => process.env.POD_NAMESPACE ?? 'amime-system';
