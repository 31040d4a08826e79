from talent_tui.launch import main

main()
