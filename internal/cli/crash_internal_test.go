package cli

// BatchArticlesForTest is how many articles one import transaction stores,
// for the crash test (package cli_test): a killed import leaves whole
// batches in.
const BatchArticlesForTest = batchArticles
