/**
 * Outlier detection. App Mesh configures it on a virtual node *listener*, and applies
 * it where ejection means something: on the callers' egress clusters to that node
 * (`cds_egress_<mesh>_<target>_…`, as the App Mesh outlier-detection walkthrough's
 * stats show), not on the target's own single-host local cluster.
 */
import type { OutlierDetection as AppMeshOutlierDetection } from '../model/index.js';
import { toMillis } from './duration.js';
import type { OutlierDetectionIR } from './ir/types.js';

export function outlierDetection(od: AppMeshOutlierDetection): OutlierDetectionIR {
  return {
    consecutive5xx: od.maxServerErrors,
    interval: toMillis(od.interval),
    baseEjectionTime: toMillis(od.baseEjectionDuration),
    maxEjectionPercent: od.maxEjectionPercent,
    enforcingConsecutive5xx: 100,
    // Only App Mesh's detector (consecutive server errors): Envoy's success-rate one is on by default.
    enforcingSuccessRate: 0,
  };
}
