class Animal:
    sound = "..."
    def __init__(self, name):
        self.name = name
    def speak(self):
        return f"{self.name} says {self.sound}"

class Dog(Animal):
    sound = "woof"
    def __init__(self, name, tricks=()):
        super().__init__(name)
        self.tricks = list(tricks)
    def speak(self):
        return super().speak() + "!"

class Puppy(Dog):
    def speak(self):
        return super().speak().upper()

for a in [Animal("generic"), Dog("rex", ["sit"]), Puppy("bit")]:
    print(type(a).__name__, a.speak(), isinstance(a, Dog))
print(Puppy.__name__, issubclass(Puppy, Animal), Dog("d").tricks)
