// Package agree computes agreement between annotators: pure functions over
// plain Go data, with no I/O.
//
// Three families of measures live here.
//
//   - Coefficients over reliability data (units x coders, values possibly
//     missing): Krippendorff's alpha at the nominal, ordinal, interval and
//     ratio levels, Cohen's kappa, Scott's pi, Fleiss' kappa, Gwet's AC1 and
//     the exact-match rate. Build the data with [FromCodes], [FromOrdered],
//     [FromNumbers], [FromTable] or [FromCounts].
//   - Span agreement between two annotators ([CompareSpans],
//     [CompareSpanDocs]): exact matches first, then one-to-one by largest
//     character overlap; precision, recall and F1 strict and overlap, per
//     label and micro-averaged. F1 equals positive specific agreement
//     (Hripcsak and Rothschild 2005); no kappa is computed over spans,
//     because its value depends on how negatives are counted.
//   - Krippendorff's unitizing alpha (_u alpha) per label over character
//     positions ([UnitizingAlpha]) and entity grouping agreement as pairwise
//     link F1 ([LinkF1]).
//
// # Conventions
//
// Every result says its n and what n counts. An undefined coefficient is NaN
// with a Reason, never a made-up 0 or 1; [Result] marshals NaN as JSON null.
// A missing value is not a category: "unknown" is [Missing], 0 is a value.
//
// Unless a function's name or doc says otherwise, figures are pooled over
// all units (all documents), not averaged over documents: a pooled
// coefficient and a mean of per-document coefficients differ, and the report
// must say which it shows. Helpers for the per-document mean are
// [MeanPerDocument] (spans) and [UnitizingAlphaPerDocument].
package agree
