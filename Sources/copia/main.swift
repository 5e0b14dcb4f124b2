import CopiaCLI
CopiaMain.main()
