public enum Tokenizers {}
