// Placeholder
@main struct Starling { static func main() { print("starling") } }
