from infra.seed import main

main()
