from backend.common.db.migrations import main

main()
