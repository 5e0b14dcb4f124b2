public enum CopiaMain { public static func main() {} }
