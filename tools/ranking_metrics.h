// How well a score separates labelled anomalous frames from normal ones: the figures
// anomaly-detection users compare (anomalib reports the same three).
#pragma once

#include <vector>

namespace pixelrnn {

struct RankingMetrics {
  double auroc = 0;      // P(random anomalous frame outranks random normal one), ties count half
  double aupr = 0;       // average precision: mean precision at each anomalous frame's rank
  double best_f1 = 0;    // the best F1 over all thresholds "score >= t"
  double best_threshold = 0;
};

// `scores[k]` higher = more anomalous; `anomalous[k]` the label. Throws std::invalid_argument
// unless both classes are present and the sizes agree.
RankingMetrics ranking_metrics (const std::vector<double> &scores, const std::vector<bool> &anomalous);

}  // namespace pixelrnn
