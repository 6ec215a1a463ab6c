from gongxiao.cli import main

main()
