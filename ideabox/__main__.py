from ideabox.cli import main

main()
