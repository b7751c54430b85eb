/**
 * Outlier detection. App Mesh configures it on a virtual node *listener*, and applies
 * it where ejection means something: on the callers' egress clusters to that node
 * (`cds_egress_<mesh>_<target>_…`, as the App Mesh outlier-detection walkthrough's
 * stats show), not on the target's own single-host local cluster.
 */
import type { OutlierDetection as AppMeshOutlierDetection } from '../model/index.js';
import { fromAppMesh } from './duration.js';
import type { OutlierDetection } from './types.js';

export function outlierDetection(od: AppMeshOutlierDetection): OutlierDetection {
  return {
    consecutive_5xx: { value: od.maxServerErrors },
    interval: fromAppMesh(od.interval),
    base_ejection_time: fromAppMesh(od.baseEjectionDuration),
    max_ejection_percent: { value: od.maxEjectionPercent },
    enforcing_consecutive_5xx: { value: 100 },
    // Only App Mesh's detector (consecutive server errors): Envoy's success-rate one is on by default.
    enforcing_success_rate: { value: 0 },
  };
}
