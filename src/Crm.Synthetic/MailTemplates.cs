namespace Crm.Synthetic;

/// <summary>What customers write and staff answer, in the languages the shop hears most.</summary>
internal static class MailTemplates
{
    public sealed record Language(
        string[] QuestionSubjects, string[] QuestionBodies,
        string[] ComplaintSubjects, string[] ComplaintBodies,
        string[] CancelSubjects, string[] CancelBodies,
        string[] FollowUps, string Greeting, string StaffReply, string StaffFollowUp, string Regards, string Wrote,
        string ReplyPrefix, string[] CampaignSubjects, string CampaignBody);

    private static readonly Language En = new(
        ["Question about my order", "Delivery time?", "Do you ship to my country?", "How do I change my address", "Invoice request"],
        ["Hello,\n\nI ordered last week and wanted to know when my order will arrive. Could you give me an update?\n\nThanks,\n{name}",
         "Hi,\n\ncan I still change the delivery address of my order? I have moved recently.\n\nBest regards\n{name}",
         "Hello support team,\n\ncould you send me an invoice for my last purchase? I need it for my records.\n\n{name}"],
        ["Complaint: damaged item", "Very disappointed", "Wrong item delivered", "Still waiting for my refund!"],
        ["Hello,\n\nthe parcel arrived today and the item is damaged. This is the second time. I am very disappointed with your service and would like a refund.\n\n{name}",
         "Hi,\n\nI have been waiting for my refund for three weeks now. Nobody answers my emails. This is unacceptable, I want to file a complaint.\n\n{name}",
         "To whom it may concern,\n\nyou sent me the wrong item and the quality is poor. I expect a replacement or my money back.\n\nRegards,\n{name}"],
        ["Cancel my account", "Please cancel my subscription", "Unsubscribe and delete my data"],
        ["Hello,\n\nplease cancel my account and delete my personal data. I will not order again.\n\n{name}",
         "Hi,\n\nI would like to cancel my membership and unsubscribe from all newsletters.\n\nThanks\n{name}"],
        ["Thanks for the quick answer!", "That did not solve my problem, I am still waiting.", "OK, thank you. One more question: is the discount still valid?"],
        "Dear {name},", "thank you for your message. We are sorry for the inconvenience and have forwarded your request to the team concerned; you will hear from us within two working days.",
        "thank you for your patience. Your request has been resolved; please let us know if there is anything else we can do.", "Kind regards", "wrote", "Re: ",
        ["Our {season} is here", "🎉 {season}: up to 30% off", "Only for you: {season}", "New arrivals – {season}"],
        "Hello {name},\n\nour {season} has started. Discover the new collection with up to 30% off:\n{link}\n\nYour shop.example team");

    private static readonly Language De = new(
        ["Frage zu meiner Bestellung", "Lieferzeit?", "Rechnung benötigt", "Adressänderung"],
        ["Hallo,\n\nich habe letzte Woche bestellt und wollte fragen, wann meine Bestellung ankommt. Können Sie mir Bescheid geben?\n\nViele Grüße\n{name}",
         "Guten Tag,\n\nkann ich die Lieferadresse meiner Bestellung noch ändern? Ich bin umgezogen.\n\nMit freundlichen Grüßen\n{name}",
         "Hallo,\n\nbitte senden Sie mir eine Rechnung für meinen letzten Einkauf zu.\n\nDanke, {name}"],
        ["Beschwerde: Ware beschädigt", "Reklamation – falscher Artikel", "Sehr unzufrieden!", "Rückerstattung fehlt immer noch"],
        ["Sehr geehrte Damen und Herren,\n\ndas Paket kam heute an und der Artikel ist beschädigt. Ich bin sehr enttäuscht und möchte eine Beschwerde einreichen. Bitte erstatten Sie mir den Betrag.\n\n{name}",
         "Hallo,\n\nich warte seit drei Wochen auf meine Rückerstattung. Niemand antwortet. Das ist eine Frechheit, ich bin sehr unzufrieden.\n\n{name}"],
        ["Konto kündigen", "Kündigung meines Kundenkontos", "Bitte Daten löschen"],
        ["Hallo,\n\nhiermit kündige ich mein Kundenkonto. Bitte löschen Sie meine Daten.\n\n{name}",
         "Guten Tag,\n\nich möchte mein Konto kündigen und keinen Newsletter mehr erhalten.\n\nGrüße\n{name}"],
        ["Vielen Dank für die schnelle Antwort!", "Das hat mein Problem nicht gelöst, ich warte immer noch.", "Danke. Gilt der Rabatt noch?"],
        "Hallo {name},", "vielen Dank für Ihre Nachricht. Es tut uns leid; wir haben Ihr Anliegen an die zuständige Abteilung weitergeleitet und melden uns innerhalb von zwei Werktagen.",
        "danke für Ihre Geduld. Ihr Anliegen ist erledigt; melden Sie sich gern, wenn wir noch etwas tun können.", "Freundliche Grüße", "schrieb", "AW: ",
        ["Unser {season} ist da", "🎉 {season}: bis zu 30 % Rabatt", "Nur für Sie: {season}"],
        "Hallo {name},\n\nunser {season} hat begonnen. Entdecken Sie die neue Kollektion mit bis zu 30 % Rabatt:\n{link}\n\nIhr shop.example-Team");

    private static readonly Language Fr = new(
        ["Question sur ma commande", "Délai de livraison ?", "Demande de facture", "Changement d'adresse"],
        ["Bonjour,\n\nj'ai passé commande la semaine dernière. Pouvez-vous me dire quand elle arrivera ?\n\nMerci,\n{name}",
         "Bonjour,\n\nest-il possible de modifier l'adresse de livraison de ma commande ? J'ai déménagé.\n\nCordialement,\n{name}"],
        ["Réclamation : article endommagé", "Très déçu(e)", "Remboursement toujours pas reçu"],
        ["Bonjour,\n\nle colis est arrivé aujourd'hui et l'article est endommagé. Je suis très déçu(e) et je souhaite déposer une réclamation et être remboursé(e).\n\n{name}",
         "Bonjour,\n\nj'attends mon remboursement depuis trois semaines. C'est inadmissible, je veux faire une réclamation.\n\n{name}"],
        ["Résilier mon compte", "Résiliation de mon abonnement", "Suppression de mes données"],
        ["Bonjour,\n\nje souhaite résilier mon compte et que mes données soient supprimées.\n\n{name}"],
        ["Merci pour la réponse rapide !", "Cela n'a pas résolu mon problème, j'attends toujours.", "Merci. La remise est-elle encore valable ?"],
        "Bonjour {name},", "merci pour votre message. Nous sommes désolés de ce désagrément ; votre demande a été transmise au service concerné et nous reviendrons vers vous sous deux jours ouvrés.",
        "merci de votre patience. Votre demande est résolue ; n'hésitez pas à nous recontacter.", "Cordialement", "a écrit", "Réf : ",
        ["Nos {season} sont là", "🎉 {season} : jusqu'à -30 %", "Rien que pour vous : {season}"],
        "Bonjour {name},\n\nnos {season} ont commencé. Découvrez la nouvelle collection jusqu'à -30 % :\n{link}\n\nL'équipe shop.example");

    private static readonly Language Es = new(
        ["Pregunta sobre mi pedido", "¿Plazo de entrega?", "Solicitud de factura", "Cambio de dirección"],
        ["Hola,\n\nhice un pedido la semana pasada y quería saber cuándo llegará. ¿Me pueden informar?\n\nGracias,\n{name}",
         "Buenos días,\n\n¿puedo cambiar todavía la dirección de envío? Me he mudado.\n\nUn saludo,\n{name}"],
        ["Queja: artículo dañado", "Muy decepcionado", "Reclamación – reembolso pendiente"],
        ["Hola,\n\nel paquete llegó hoy y el artículo está dañado. Estoy muy decepcionado y quiero presentar una queja y recibir el reembolso.\n\n{name}",
         "Buenos días,\n\nllevo tres semanas esperando mi reembolso. Es inaceptable, quiero poner una reclamación.\n\n{name}"],
        ["Cancelar mi cuenta", "Darme de baja", "Borrar mis datos"],
        ["Hola,\n\nquiero cancelar mi cuenta y darme de baja de todos los boletines.\n\n{name}"],
        ["¡Gracias por la rápida respuesta!", "Eso no ha resuelto mi problema, sigo esperando.", "Gracias. ¿Sigue vigente el descuento?"],
        "Hola {name}:", "gracias por su mensaje. Lamentamos las molestias; hemos enviado su consulta al departamento correspondiente y le responderemos en dos días laborables.",
        "gracias por su paciencia. Su consulta está resuelta; no dude en escribirnos de nuevo.", "Un cordial saludo", "escribió", "RE: ",
        ["Llegan las {season}", "🎉 {season}: hasta un 30 % de descuento", "Solo para ti: {season}"],
        "Hola {name}:\n\nhan empezado nuestras {season}. Descubre la nueva colección con hasta un 30 % de descuento:\n{link}\n\nEl equipo de shop.example");

    public static Language For(string language) => language switch
    {
        "de" => De,
        "fr" => Fr,
        "es" => Es,
        _ => En,
    };

    /// <summary>Staff who answer support mail (with a name that needs encoding now and then).</summary>
    public static readonly string[] Staff = ["Anna Schröder", "Tom Baker", "Léa Girard", "Sergio Núñez", "Mia Wong"];
}
