// CopiaReport
