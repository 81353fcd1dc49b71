package fr.hcbroker.idnat;

/** An identifier that is not a well-formed idNat_PS; the message says why. */
public class InvalidIdNatException extends IllegalArgumentException {
    public InvalidIdNatException(String message) {
        super(message);
    }
}
