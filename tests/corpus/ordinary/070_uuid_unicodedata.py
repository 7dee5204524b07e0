import uuid
import unicodedata
print(uuid.uuid5(uuid.NAMESPACE_DNS, "example.com"))
print(uuid.UUID("12345678-1234-5678-1234-567812345678").hex)
print(unicodedata.name("é"), unicodedata.category("A"), unicodedata.normalize("NFD", "é").encode())
print("".join(c for c in unicodedata.normalize("NFKD", "Ångström") if not unicodedata.combining(c)))
