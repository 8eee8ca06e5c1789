public enum ModelFormats {}
