print("ptqlab")
