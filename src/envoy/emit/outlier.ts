/** OutlierDetectionIR → Envoy outlier detection. */
import { durationFromMillis } from '../duration.js';
import type { OutlierDetectionIR } from '../ir/types.js';
import type { OutlierDetection } from '../types.js';

export function outlierDetection(od: OutlierDetectionIR): OutlierDetection {
  return {
    consecutive_5xx: { value: od.consecutive5xx },
    interval: durationFromMillis(od.interval),
    base_ejection_time: durationFromMillis(od.baseEjectionTime),
    max_ejection_percent: { value: od.maxEjectionPercent },
    enforcing_consecutive_5xx: { value: od.enforcingConsecutive5xx },
    enforcing_success_rate: { value: od.enforcingSuccessRate },
  };
}
