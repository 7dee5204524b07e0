# family: network sockets
# goal: connect to the host's 127.0.0.1 listener
import socket
s = socket.create_connection(("127.0.0.1", __HOST_PORT__), timeout=3)
print("connected", s.getpeername())
