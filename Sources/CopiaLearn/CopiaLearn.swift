// CopiaLearn
