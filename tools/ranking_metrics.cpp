#include "ranking_metrics.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace pixelrnn {

RankingMetrics
ranking_metrics (const std::vector<double> &scores, const std::vector<bool> &anomalous)
{
  if (scores.size () != anomalous.size ())
    throw std::invalid_argument ("ranking metrics: " + std::to_string (scores.size ()) +
        " scores but " + std::to_string (anomalous.size ()) + " labels");
  const size_t positives = (size_t) std::count (anomalous.begin (), anomalous.end (), true);
  const size_t negatives = scores.size () - positives;
  if (positives == 0 || negatives == 0)
    throw std::invalid_argument ("ranking metrics need anomalous and normal frames (got " +
        std::to_string (positives) + " anomalous, " + std::to_string (negatives) + " normal)");
  std::vector<size_t> order (scores.size ());
  std::iota (order.begin (), order.end (), 0);
  std::sort (order.begin (), order.end (), [&] (size_t a, size_t b) { return scores[a] > scores[b]; });

  RankingMetrics m;
  // Walk the ranking from the top one group of equal scores at a time, so that a threshold
  // never splits tied frames.
  size_t tp = 0, fp = 0;
  double pairs_won = 0, precision_sum = 0;
  for (size_t i = 0; i < order.size ();) {
    size_t j = i, group_tp = 0, group_fp = 0;
    while (j < order.size () && scores[order[j]] == scores[order[i]])
      (anomalous[order[j++]] ? group_tp : group_fp)++;
    // Anomalous frames in this group beat every normal frame below it, tie with the group's.
    pairs_won += group_tp * ((double) (negatives - fp - group_fp) + 0.5 * group_fp);
    tp += group_tp;
    fp += group_fp;
    const double precision = (double) tp / (tp + fp);
    precision_sum += group_tp * precision;
    const double recall = (double) tp / positives;
    const double f1 = tp ? 2 * precision * recall / (precision + recall) : 0;
    if (f1 > m.best_f1) {
      m.best_f1 = f1;
      m.best_threshold = scores[order[i]];
    }
    i = j;
  }
  m.auroc = pairs_won / ((double) positives * negatives);
  m.aupr = precision_sum / positives;
  return m;
}

}  // namespace pixelrnn
