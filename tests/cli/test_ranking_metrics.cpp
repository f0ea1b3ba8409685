// AUROC, AUPR and best F1 against values worked out by hand, including ties (which count
// half in AUROC and are never split by a threshold).
#include "ranking_metrics.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

using pixelrnn::ranking_metrics;

TEST (RankingMetrics, PerfectSeparation)
{
  auto m = ranking_metrics ({0.1, 0.9, 0.2, 0.8}, {false, true, false, true});
  EXPECT_DOUBLE_EQ (m.auroc, 1.0);
  EXPECT_DOUBLE_EQ (m.aupr, 1.0);
  EXPECT_DOUBLE_EQ (m.best_f1, 1.0);
  EXPECT_DOUBLE_EQ (m.best_threshold, 0.8);
}

TEST (RankingMetrics, ReversedRankingIsZeroAuroc)
{
  auto m = ranking_metrics ({0.9, 0.1, 0.8}, {false, true, false});
  EXPECT_DOUBLE_EQ (m.auroc, 0.0);
  // The anomalous frame is ranked third: precision 1/3 there.
  EXPECT_DOUBLE_EQ (m.aupr, 1.0 / 3);
  // Best threshold takes all three: precision 1/3, recall 1, F1 = 0.5.
  EXPECT_DOUBLE_EQ (m.best_f1, 0.5);
}

TEST (RankingMetrics, WorkedExample)
{
  // Ranked: 0.9 (+), 0.7 (-), 0.6 (+), 0.3 (-), 0.2 (+). Pairs won: 2 + 1 + 0 = 3 of 6... by
  // positive: 0.9 beats both negatives (2), 0.6 beats one (1), 0.2 none: AUROC 3/6.
  auto m = ranking_metrics ({0.9, 0.7, 0.6, 0.3, 0.2}, {true, false, true, false, true});
  EXPECT_DOUBLE_EQ (m.auroc, 0.5);
  // Precision at each positive: 1/1, 2/3, 3/5.
  EXPECT_DOUBLE_EQ (m.aupr, (1.0 + 2.0 / 3 + 3.0 / 5) / 3);
  // Thresholds: 0.9 -> P 1 R 1/3 F1 0.5; 0.6 -> P 2/3 R 2/3 F1 2/3; 0.2 -> P 3/5 R 1 F1 0.75.
  EXPECT_DOUBLE_EQ (m.best_f1, 0.75);
  EXPECT_DOUBLE_EQ (m.best_threshold, 0.2);
}

TEST (RankingMetrics, TiesCountHalfAndAreNotSplit)
{
  auto all_tied = ranking_metrics ({0.5, 0.5, 0.5, 0.5}, {true, false, false, true});
  EXPECT_DOUBLE_EQ (all_tied.auroc, 0.5);
  EXPECT_DOUBLE_EQ (all_tied.aupr, 0.5);
  EXPECT_DOUBLE_EQ (all_tied.best_f1, 2 * 0.5 * 1.0 / 1.5);
  auto partly = ranking_metrics ({0.9, 0.5, 0.5, 0.1}, {true, true, false, false});
  // Positive 0.9 beats both negatives; positive 0.5 ties one and beats one: (2 + 1.5) / 4.
  EXPECT_DOUBLE_EQ (partly.auroc, 3.5 / 4);
}

TEST (RankingMetrics, AgreesWithPairCountingOnRandomScores)
{
  std::mt19937 rng (5);
  std::uniform_int_distribution<int> level (0, 20);   // coarse, so that ties happen
  std::vector<double> s;
  std::vector<bool> l;
  for (int k = 0; k < 300; ++k) {
    l.push_back (k % 7 == 0);
    s.push_back (level (rng) + (l.back () ? 4 : 0));
  }
  double won = 0, pairs = 0;
  for (size_t a = 0; a < s.size (); ++a)
    for (size_t b = 0; b < s.size (); ++b)
      if (l[a] && !l[b]) {
        won += s[a] > s[b] ? 1 : s[a] == s[b] ? 0.5 : 0;
        pairs += 1;
      }
  EXPECT_NEAR (ranking_metrics (s, l).auroc, won / pairs, 1e-12);
}

TEST (RankingMetrics, NeedsBothClasses)
{
  EXPECT_THROW (ranking_metrics ({0.1, 0.2}, {false, false}), std::invalid_argument);
  EXPECT_THROW (ranking_metrics ({0.1}, {true, false}), std::invalid_argument);
}
