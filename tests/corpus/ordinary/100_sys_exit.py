import sys


def main() -> int:
    print("working")
    return 0


if __name__ == "__main__":
    print("start")
    sys.exit(main())
