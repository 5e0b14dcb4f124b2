// CopiaTable
