# family: reading host files
# goal: print /etc/shadow
with open("/etc/shadow") as f:
    print(f.read())
