// CopiaTable: columnar tables, streaming CSV, train-only preparation, and imbalanced-learn's samplers with per-row
// provenance.
//
// Reading and writing
//   CSVReader.read(path:options:) -> Table        RFC 4180, CRLF, BOM, any one-byte delimiter, empty = missing,
//                                                 inferred or schema types, NaN/inf policy (error/dropRow/imputeMedian);
//                                                 errors name file, line, column and value (TableError).
//   CSVWriter(path:columns:) / .write(_:to:) / .encode(_:)
//   Original text: the reader keeps each record's bytes and the writer copies a row's bytes when it is unchanged
//   (same columns and delimiter, values not replaced), so untouched rows (a test split) are byte-identical; other
//   rows are written with the shortest text that reads back as the same Double ("3", "0.1", "1e-05").
//
// Preparation (fit on the training split only; statistics Codable for dataset.json)
//   Scaler.fit(.standardise | .minMax | .meanNormalise | .robust, on:) -> transform / inverse (tables, matrices,
//   synthetic rows); MedianImputer; OneHotEncoder.
//
// Samplers (protocol Resampler: resample(_ x: FeatureMatrix, labels: ClassLabels, seed:, stage:) -> ResampleResult)
//   Over: RandomOverSampler (shrinkage = smoothed bootstrap), SMOTE, SMOTENC, SMOTEN, BorderlineSMOTE (1, 2),
//   SVMSMOTE, KMeansSMOTE, ADASYN. Under: RandomUnderSampler, TomekLinks, EditedNearestNeighbours, NearMiss (1-3).
//   Combined: SMOTETomek, SMOTEENN. SamplingStrategy has imbalanced-learn's meanings. ResamplerSpec decodes any of
//   them from pipeline JSON ({"sampler": "SMOTE", ...}).
//
// Provenance as plain data
//   ResampleResult.kept (input rows kept, ascending), .removed (input rows removed, ascending), .synthetic
//   (SyntheticRows: per new row its label, values, base row, neighbour rows, gaps — values = base + gap *
//   (neighbour - base) — and, for SMOTENC/SMOTEN, the voters of its categorical values).
//
// Determinism
//   Every drawn row has its own generator, CounterRandom(seed:, stage:, sample: "<class>#<i>"), so output does not
//   depend on threads; neighbour search is exact (Float screen with a proven bound, Double ranking, ties to the
//   lower row), so it does not depend on the screening path (fused AVX-512 / AVX2 kernel, or portable SIMD).
