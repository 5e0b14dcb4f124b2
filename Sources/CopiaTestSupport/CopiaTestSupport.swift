// CopiaTestSupport
