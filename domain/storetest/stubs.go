package storetest

var (
	attachmentCases []testCase
	// incidentCases   []testCase
	// refundCases     []testCase
	// claimCases      []testCase
	// workCases       []testCase
	outboxCases     []testCase
	cannedCases     []testCase
	auditCases      []testCase
	deflectionCases []testCase
)
