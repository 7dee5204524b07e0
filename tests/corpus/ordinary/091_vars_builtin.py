class Config:
    def __init__(self):
        self.host = "localhost"
        self.port = 8080
print(vars(Config()))
